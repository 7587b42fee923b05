import type { Observable } from 'rxjs';
import type { StepRecord } from '../streams/stepRecord.js';

/**
 * A sink's operator: passes each record through unchanged and is generic in the record's type,
 * so in an inline `pipe(…)` TypeScript keeps the type of the records piped in (`loss: number`
 * after `loss(…)`, `metrics` after `metric(…)`) with no type argument written. `R` is the least
 * record it accepts (default: any step record). Operators with more members extend this
 * interface (an intersection type would stop TypeScript from inferring through it).
 */
export type RecordOperator<R extends StepRecord = StepRecord> = <T extends R>(source: Observable<T>) => Observable<T>;
