// Who changed a bucket item: every write to it also SETs one `lastChange` map (operation, request
// id, account, access key, source IP, time) in the same request, so the table's stream
// (NEW_AND_OLD_IMAGES) carries who, what and when to the history recorder without a request of its
// own (docs/history.md). The actor is the S3 request being served: lib/http/dispatch.ts names it
// once, around the operation (lib/request.ts holds it for the invocation), and it is read here.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { currentActor } from '../request.ts';

/** The `lastChange` map of a write made now: the time, and the actor when there is one (not in the admin CLI). */
export function lastChangeAttribute(now = new Date()): AttributeValue {
  const actor = currentActor();
  const map: Record<string, AttributeValue> = { time: { S: now.toISOString() } };
  if (actor) {
    map.operation = { S: actor.operation };
    map.requestId = { S: actor.requestId };
    map.accountId = { S: actor.accountId };
    map.accessKeyId = { S: actor.accessKeyId };
    if (actor.sourceIp) map.sourceIp = { S: actor.sourceIp };
  }
  return { M: map };
}
