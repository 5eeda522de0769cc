/* Closed forms of queueing theory that the engine and the models are checked
 * against, and that the reports use for their analytic cross-check.
 *   Erlang C (M/M/c probability of waiting), through the numerically stable
 *   Erlang B recursion; M/M/c mean response time and response-time quantiles
 *   (FIFO: waiting time is 0 with probability 1 - C, else exponential with
 *   rate c*mu - lambda, plus an independent exponential service);
 *   Pollaczek-Khinchine mean response time of M/G/1.
 * Rates per second, times in seconds.  All require rho < 1. */
#ifndef SIM_ANALYTIC_H
#define SIM_ANALYTIC_H

double sim_erlang_c(int c, double offered_load);
double sim_mmc_response_mean_s(double rate_per_s, int c, double service_mean_s);
double sim_mmc_response_quantile_s(double rate_per_s, int c, double service_mean_s, double q);
/* Pollaczek-Khinchine mean response time of M/G/1. */
double sim_mg1_response_mean_s(double rate_per_s, double service_mean_s, double service_scv);

#endif
