/* Scaling a tier during a run (models/scaling.c, docs/scaling.md). */
#ifndef MODELS_SCALING_H
#define MODELS_SCALING_H

/* Kubernetes HPA's rule: ceil(current x utilization / target) within
 * [min, max]; current unchanged while |utilization / target - 1| <= 10%. */
int scaling_desired(int current, double utilization, double target, int min, int max);

#endif
