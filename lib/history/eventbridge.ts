// The EventBridge command the history Lambda sends (PutEvents), imported lazily by events.ts: through
// this module its chunk holds the client and this one command, not all of @aws-sdk/client-eventbridge.
export { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
