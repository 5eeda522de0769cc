/* Queueing-theory closed forms; see analytic.h. */
#include "analytic.h"

#include <math.h>

double sim_erlang_c(int c, double a)
{
	/* Stable recursion through Erlang B: B(k) = a B(k-1) / (k + a B(k-1)). */
	double b = 1.0;
	for (int k = 1; k <= c; k++)
		b = a * b / (k + a * b);
	double rho = a / c;
	return b / (1.0 - rho + rho * b);
}

double sim_mmc_response_mean_s(double rate, int c, double s)
{
	double mu = 1.0 / s;
	return sim_erlang_c(c, rate * s) / (c * mu - rate) + s;
}

/* P(T > t) for T = Wq + S, Wq = 0 w.p. 1 - C else Exp(theta), S ~ Exp(mu). */
static double mmc_response_tail(double t, double C, double mu, double theta)
{
	double tail_s = exp(-mu * t);
	double tail_sum;
	if (fabs(theta - mu) < 1e-12 * mu)
		tail_sum = exp(-mu * t) * (1.0 + mu * t); /* Erlang-2 */
	else
		tail_sum = (theta * exp(-mu * t) - mu * exp(-theta * t)) / (theta - mu);
	return (1.0 - C) * tail_s + C * tail_sum;
}

double sim_mmc_response_quantile_s(double rate, int c, double s, double q)
{
	double mu = 1.0 / s, theta = c * mu - rate;
	double C = sim_erlang_c(c, rate * s);
	double lo = 0.0, hi = s;
	while (mmc_response_tail(hi, C, mu, theta) > 1.0 - q)
		hi *= 2.0;
	for (int i = 0; i < 200; i++) {
		double mid = 0.5 * (lo + hi);
		if (mmc_response_tail(mid, C, mu, theta) > 1.0 - q)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

double sim_mg1_response_mean_s(double rate, double s, double scv)
{
	double rho = rate * s;
	double es2 = s * s * (1.0 + scv);
	return rate * es2 / (2.0 * (1.0 - rho)) + s;
}
