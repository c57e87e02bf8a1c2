// Date operators (IAM User Guide, "Condition operators" › Date): "one of the W3C implementations of the
// ISO 8601 date formats" (https://www.w3.org/TR/NOTE-datetime) or epoch (UNIX) time in seconds. A value
// in neither form cannot be compared (typedOutcome). No wildcards, no policy variables.
import { type CompiledValues, type ConditionOperator, typedOutcome } from './operator.ts';

// YYYY, YYYY-MM, YYYY-MM-DD, then Thh:mm, Thh:mm:ss, Thh:mm:ss.s…, with Z or ±hh:mm (W3C's profile).
const W3C_DATE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;
const EPOCH_SECONDS = /^[+-]?\d{1,15}$/;

/** Milliseconds since the epoch, or NaN. */
export function readDate(value: string): number {
  if (EPOCH_SECONDS.test(value)) return Number(value) * 1000;
  const parts = W3C_DATE.exec(value);
  if (!parts) return Number.NaN;
  const [, year, month = '01', day = '01', hour = '00', minute = '00', second = '00', fraction = '', zone] =
    parts;
  const ms = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
  );
  const offset =
    zone === undefined || zone === 'Z'
      ? 0
      : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  // Out-of-range fields (month 13) are not dates, rather than being rolled over.
  const check = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (check.getUTCMonth() !== Number(month) - 1 || check.getUTCDate() !== Number(day)) return Number.NaN;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return Number.NaN;
  return ms + Math.floor(Number(`0.${fraction || '0'}`) * 1000) - offset;
}

const dateOperator = (
  name: string,
  negated: boolean,
  holds: (request: number, policy: number) => boolean,
): ConditionOperator => ({
  name,
  family: 'date',
  negated,
  variables: false,
  compile(values): CompiledValues {
    const dates = values.map(readDate);
    return {
      test(requestValue, _context, meter) {
        meter.steps += dates.length;
        const actual = readDate(requestValue);
        return typedOutcome(
          negated,
          dates.map((policy) =>
            Number.isNaN(policy) || Number.isNaN(actual)
              ? 'unreadable'
              : holds(actual, policy)
                ? 'match'
                : 'no-match',
          ),
        );
      },
    };
  },
});

export const DATE_OPERATORS: readonly ConditionOperator[] = [
  dateOperator('DateEquals', false, (request, policy) => request === policy),
  dateOperator('DateNotEquals', true, (request, policy) => request === policy),
  dateOperator('DateLessThan', false, (request, policy) => request < policy),
  dateOperator('DateLessThanEquals', false, (request, policy) => request <= policy),
  dateOperator('DateGreaterThan', false, (request, policy) => request > policy),
  dateOperator('DateGreaterThanEquals', false, (request, policy) => request >= policy),
];
