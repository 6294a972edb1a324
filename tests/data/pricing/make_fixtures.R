# Known answers for valuekit.analyse.pricing, from R's pricesensitivitymeter 1.3.3
# (CRAN; MIT licence) on R 4.2 with survey 4.1. Run once from the repository root:
#   Rscript tests/data/pricing/make_fixtures.R
# It writes the three data sets beside this file and prints the values the tests hold
# (tests/analyse/test_pricing.py). R is not needed to run the tests.
library(pricesensitivitymeter)
library(survey)
show <- function(name, o) {
  v <- c(o$pricerange_lower, o$pricerange_upper, o$idp, o$opp, o$invalid_cases, o$total_sample)
  if (isTRUE(o$nms)) v <- c(v, o$price_optimal_reach, o$price_optimal_revenue,
                            max(o$data_nms$reach), max(o$data_nms$revenue))
  cat(name, ":", sprintf("%.15g", v), "\n")
}
here <- "tests/data/pricing"

# A: the example of ?psm_analysis, word for word
set.seed(42)
tch <- round(rnorm(n = 250, mean = 5, sd = 0.5), digits = 2)
ch <- round(rnorm(n = 250, mean = 8.5, sd = 0.5), digits = 2)
ex <- round(rnorm(n = 250, mean = 13, sd = 0.75), digits = 2)
tex <- round(rnorm(n = 250, mean = 17, sd = 1), digits = 2)
pint_ch <- sample(x = c(1:5), size = length(tex), replace = TRUE, prob = c(0.1, 0.1, 0.2, 0.3, 0.3))
pint_ex <- sample(x = c(1:5), size = length(tex), replace = TRUE, prob = c(0.3, 0.3, 0.2, 0.1, 0.1))
a <- data.frame(tch, ch, ex, tex, pint_ch, pint_ex)
write.csv(a, file.path(here, "psm_help_example.csv"), row.names = FALSE)
show("A", psm_analysis(toocheap = "tch", cheap = "ch", expensive = "ex", tooexpensive = "tex",
                       pi_cheap = "pint_ch", pi_expensive = "pint_ex", data = a))
show("A narrower", psm_analysis(toocheap = "tch", cheap = "ch", expensive = "ex", tooexpensive = "tex",
                                data = a, acceptable_range = "narrower"))

# B: the README's overlapping answers (its example has no seed; this one does), with
# intransitive respondents the analysis leaves out
set.seed(2024)
b <- data.frame(tch = round(rnorm(n = 250, mean = 8.5, sd = 1), digits = 2),
                ch = round(rnorm(n = 250, mean = 10, sd = 1), digits = 2),
                ex = round(rnorm(n = 250, mean = 12, sd = 0.75), digits = 2),
                tex = round(rnorm(n = 250, mean = 13, sd = 1), digits = 2))
b$pint_ch <- sample(1:5, 250, replace = TRUE, prob = c(0.1, 0.1, 0.2, 0.3, 0.3))
b$pint_ex <- sample(1:5, 250, replace = TRUE, prob = c(0.3, 0.3, 0.2, 0.1, 0.1))
write.csv(b, file.path(here, "psm_overlapping.csv"), row.names = FALSE)
show("B", psm_analysis(toocheap = "tch", cheap = "ch", expensive = "ex", tooexpensive = "tex",
                       pi_cheap = "pint_ch", pi_expensive = "pint_ex", data = b))
show("B narrower", psm_analysis(toocheap = "tch", cheap = "ch", expensive = "ex", tooexpensive = "tex",
                                data = b, acceptable_range = "narrower"))
show("B calibrated", psm_analysis(toocheap = "tch", cheap = "ch", expensive = "ex", tooexpensive = "tex",
                                  pi_cheap = "pint_ch", pi_expensive = "pint_ex", data = b,
                                  pi_calibrated = c(0.9, 0.6, 0.4, 0.2, 0.05),
                                  pi_calibrated_toocheap = 0.05, pi_calibrated_tooexpensive = 0.01))

# C: the weighted-data vignette's biased sample (set.seed(1976)), the women's prices
# rounded to cents after the +50 % (R's weighted analysis rounds its price grid to cents;
# valuekit uses the prices as given, so the answers are given in cents), post-stratified
# by gender as there
set.seed(1976)
c_ <- data.frame(tch = round(rnorm(n = 250, mean = 8, sd = 0.5), digits = 2),
                 ch = round(rnorm(n = 250, mean = 12, sd = 0.5), digits = 2),
                 ex = round(rnorm(n = 250, mean = 13, sd = 0.5), digits = 2),
                 tex = round(rnorm(n = 250, mean = 15, sd = 0.5), digits = 2),
                 gender = sample(x = c("male", "female"), size = 250, replace = TRUE, prob = c(2/3, 1/3)))
f <- c_$gender == "female"
for (v in c("tch", "ch", "ex", "tex")) c_[[v]][f] <- round(c_[[v]][f] * 1.5, digits = 2)
c_$pint_ch <- sample(1:5, 250, replace = TRUE, prob = c(0.1, 0.1, 0.2, 0.3, 0.3))
c_$pint_ex <- sample(1:5, 250, replace = TRUE, prob = c(0.3, 0.3, 0.2, 0.1, 0.1))
c_$gender_pop <- 5000
design <- svydesign(ids = ~1, probs = NULL, strata = c_$gender, fpc = c_$gender_pop, data = c_)
c_$weight <- weights(design)
write.csv(c_[, c("tch", "ch", "ex", "tex", "pint_ch", "pint_ex", "gender", "weight")],
          file.path(here, "psm_weighted.csv"), row.names = FALSE)
show("C", psm_analysis_weighted(toocheap = "tch", cheap = "ch", expensive = "ex", tooexpensive = "tex",
                                pi_cheap = "pint_ch", pi_expensive = "pint_ex", design = design))
show("C unweighted", psm_analysis(toocheap = "tch", cheap = "ch", expensive = "ex", tooexpensive = "tex",
                                  data = c_))

# B without the too-cheap question (a column of NA for R)
b$no_tch <- NA_real_
show("B no too cheap", psm_analysis(toocheap = "no_tch", cheap = "ch", expensive = "ex", tooexpensive = "tex",
                                    pi_cheap = "pint_ch", pi_expensive = "pint_ex", data = b))
