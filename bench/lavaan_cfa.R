# The peer of valuekit's fit_cfa in bench/run.py's `measurement` benchmark: R's lavaan
# fitting the same CFA to the same covariance matrix, with its standard errors.
#
#   Rscript bench/lavaan_cfa.R MODEL_FILE COVARIANCE_CSV N
#
# Prints "ready <lavaan version>", then fits the model once per line read from stdin and
# prints that fit's elapsed and CPU seconds (R's own clock, so the process start and the
# pipe are not counted), its chi-square and the number of respondents lavaan used (it takes
# a whole number: a weighted survey's Kish n is rounded). The covariance is used as it is
# (sample.cov.rescale = FALSE): fit_cfa's is the maximum-likelihood one, divided by n.
suppressPackageStartupMessages(library(lavaan))
a <- commandArgs(trailingOnly = TRUE)
model <- paste(readLines(a[1]), collapse = "\n")
S <- as.matrix(read.csv(a[2], row.names = 1, check.names = FALSE))
n <- as.numeric(a[3])
con <- file("stdin")
open(con)
cat("ready", as.character(packageVersion("lavaan")), "\n")
flush(stdout())
while (length(line <- readLines(con, n = 1)) > 0) {
  t0 <- proc.time()
  fit <- cfa(model, sample.cov = S, sample.nobs = n, sample.cov.rescale = FALSE)
  d <- proc.time() - t0
  cat(sprintf("%.6f %.6f %.10f %d\n", d[["elapsed"]], d[["user.self"]] + d[["sys.self"]],
              fitMeasures(fit, "chisq"), as.integer(lavInspect(fit, "ntotal"))))
  flush(stdout())
}
