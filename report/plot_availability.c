/* The availability figure, from availability.json of its folder
 * (docs/plots.md): downtime minutes a year by cause, one bar per cause with
 * its 95% CI, each bar in the colour of the tier the cause names ("db
 * failover" is the database's), so a review sees at once which tier's
 * failures cost the year and how sure the estimate is.  The "none" cause
 * (every node up) is left out: it never costs downtime. */
#include <stdio.h>
#include <string.h>

#include "plot_figure.h"

#define AVAIL "availability.json"

static json_t *causes(struct rpt_plot_input *in)
{
	return json_object_get(rpt_plot_json(in, AVAIL), "downtime_by_cause");
}

static bool is_none(const json_t *c)
{
	const char *name = json_string_value(json_object_get(c, "cause"));
	return !name || !strcmp(name, "none");
}

static bool availability_wanted(struct rpt_plot_input *in)
{
	size_t i;
	json_t *c;
	json_array_foreach(causes(in), i, c)
		if (!is_none(c))
			return true;
	return false;
}

/* The tier a cause names by its first word; TIER_COUNT when none. */
static enum model_tier tier_of_cause(const char *cause)
{
	for (int t = 0; t < TIER_COUNT; t++) {
		size_t len = strlen(model_tier_names[t]);
		if (!strncmp(cause, model_tier_names[t], len) && (cause[len] == '\0' || cause[len] == ' '))
			return (enum model_tier)t;
	}
	return TIER_COUNT;
}

/* One row per cause in availability.json's order: cause, mean, lo, hi
 * (minutes a year), rgb (the bar's colour as an integer, for lc rgb
 * variable). */
static int availability_data(struct rpt_plot_input *in, FILE *out)
{
	fputs("cause\tmean\tlo\thi\trgb\n", out);
	size_t i;
	json_t *c;
	json_array_foreach(causes(in), i, c) {
		if (is_none(c))
			continue;
		const char *name = json_string_value(json_object_get(c, "cause"));
		json_t *d = json_object_get(c, "downtime_min_per_year");
		json_t *ci = json_object_get(d, "ci95");
		rpt_plot_dat_cell(out, true, name); /* tab-separated: blanks stay */
		rpt_plot_dat_json(out, false, json_object_get(d, "mean"));
		rpt_plot_dat_json(out, false, json_array_get(ci, 0));
		rpt_plot_dat_json(out, false, json_array_get(ci, 1));
		enum model_tier t = tier_of_cause(name);
		unsigned r = 0x7f, g = 0x7f, b = 0x7f; /* grey: a cause of no tier */
		if (t != TIER_COUNT)
			sscanf(rpt_plot_tier_colour(t) + 1, "%2x%2x%2x", &r, &g, &b);
		fprintf(out, "\t%u\n", r << 16 | g << 8 | b);
	}
	return ferror(out) ? -1 : 0;
}

static int availability_script(struct rpt_plot_input *in, FILE *out)
{
	json_t *root = rpt_plot_json(in, AVAIL);
	json_t *total = json_object_get(root, "downtime_min_per_year");
	json_t *ci = json_object_get(total, "ci95");
	rpt_plot_script_begin(out, in, &rpt_fig_availability, "downtime by cause");
	fprintf(out,
		"set title title_text\n"
		"set ylabel \"downtime (minutes a year)\"\n"
		"set xlabel \"cause (tier, and its detection or failover window)\"\n"
		"set style fill solid 0.8 border -1\n"
		"set boxwidth 0.6\n"
		"set yrange [0:*]\n"
		"set xtics rotate by -20\n"
		"set grid ytics\n"
		"plot \"availability.dat\" using 0:\"mean\":\"rgb\":xtic(1) with boxes "
		"lc rgb variable title \"mean (colour: the tier)\", \\\n"
		"     \"availability.dat\" using 0:\"mean\":\"lo\":\"hi\" with yerrorbars pt -1 "
		"lw 2 lc rgb \"#000000\" title \"95%% CI\", \\\n"
		"     keyentry with points pt -1 title \"in all: %.3g min/year\", \\\n"
		"     keyentry with points pt -1 title \"(95%% CI %.3g to %.3g)\", \\\n"
		"     keyentry with points pt -1 title \"%lld replications x %.3g d\"\n",
		rpt_json_number(total, "mean"), json_number_value(json_array_get(ci, 0)),
		json_number_value(json_array_get(ci, 1)),
		(long long)json_integer_value(json_object_get(root, "replications")),
		rpt_json_number(root, "horizon_s") / 86400);
	rpt_plot_script_end(out);
	return ferror(out) ? -1 : 0;
}

const struct rpt_figure rpt_fig_availability = {"availability", availability_wanted,
						availability_data, availability_script};
