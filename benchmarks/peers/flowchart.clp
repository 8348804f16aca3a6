; The guide's flowchart at the level of its direct questions, as CLIPS rules (the verdicts
; infoshare-rules' decision core v3 gives when only these facts are known).
; One case fact per decision: reset, assert (case ...), run, read ?*verdict*.

(defglobal ?*verdict* = nil)

(deftemplate case
  (slot legitimate) (slot identifiable) (slot confidential) (slot have_consent)
  (slot statutory_duty) (slot court_order) (slot judgement) (slot unsure))

; Key question 5 (4.23-4.24): a statutory duty or a court order requires sharing. An unknown duty
; or order is presumed absent: "where they apply you will know or be told about them" (4.24).
; Salience 20: these fire before any verdict rule reads (not (required-by-law)).
(defrule statutory-duty (declare (salience 20)) (case (statutory_duty yes)) => (assert (required-by-law)))
(defrule court-order (declare (salience 20)) (case (court_order yes)) => (assert (required-by-law)))

; Verdict precedence (4.24: "even if it is confidential and consent has not been given"): must share
; whatever the other answers, an unclear or missing purpose and a practitioner's doubt included.
(defrule must-share (declare (salience 10))
  (required-by-law) => (bind ?*verdict* must_share) (halt))

(defrule no-legitimate-purpose
  (case (legitimate no)) (not (required-by-law)) => (bind ?*verdict* do_not_share) (halt))

; Share where the information is not identifiable, not confidential, or consented to.
(defrule not-identifiable
  (case (legitimate yes) (identifiable no)) (not (required-by-law)) => (bind ?*verdict* share) (halt))
(defrule not-confidential
  (case (legitimate yes) (confidential no)) (not (required-by-law)) => (bind ?*verdict* share) (halt))
(defrule consent-given
  (case (legitimate yes) (have_consent yes)) (not (required-by-law)) => (bind ?*verdict* share) (halt))

; Left open (an unknown purpose, identifiable or confidential information without consent: the
; public interest judgement alone does not decide, 3.9's finer facts about seeking consent do):
; seek advice where the practitioner is unsure (the doubt decides only where the facts leave the
; decision open), else undetermined.
(defrule in-doubt-seek-advice (declare (salience -10))
  (case (unsure yes)) => (bind ?*verdict* seek_advice) (halt))
(defrule left-open (declare (salience -20))
  (case) => (bind ?*verdict* undetermined) (halt))
