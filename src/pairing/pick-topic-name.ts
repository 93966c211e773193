import { topicNameProblem } from '../devices/device-topics.js';
import { UserError } from '../shared/errors.js';

const MAX_TOPIC_TRIES = 50;

/**
 * Adds a device under `base`, or `base-2`, `base-3`… when a device has the name (or a grant that
 * overlaps it: the add answers 409); 409 `pairing_no_topic` when none of the first 50 is free.
 */
export function pickTopicName<T>(
  base: string,
  taken: ReadonlySet<string>,
  add: (topicName: string) => T,
): { credentials: T; topicName: string } {
  for (let n = 1; n <= MAX_TOPIC_TRIES; n++) {
    const topicName = n === 1 ? base : `${base}-${n}`;
    if (taken.has(topicName.toLowerCase()) || topicNameProblem(topicName)) continue;
    try {
      return { credentials: add(topicName), topicName };
    } catch (err) {
      // Taken in a way the list does not show (an overlapping grant): try the next name.
      if (!(err instanceof UserError) || err.status !== 409) throw err;
    }
  }
  throw new UserError(`no free topic name like ${base}`, 409, 'pairing_no_topic');
}
