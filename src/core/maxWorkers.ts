/**
 * Most data-parallel replicas a run may have (`training.workers`, `dataParallel(…, { workers })`):
 * each is a thread with its own JavaScript heap, and lockstep training gains nothing from more
 * replicas than the machine has cores.
 */
export const MAX_WORKERS = 64;
