// The MalformedPolicy messages, in AWS's words where a source gives them. docs/accounts.md › Refusals
// lists each with the source it was taken from; a message not found in any source says so there.
import { S3Error } from '../errors.ts';

export const MESSAGES = {
  firstByte: "Policies must be valid JSON and the first byte must be '{'",
  invalidJson: 'This policy contains invalid Json',
  tooLarge: 'Policies must be less than 20 KB',
  version: 'The policy must contain a valid version string',
  noStatement: 'Missing required field Statement',
  emptyStatement: 'Could not parse the policy: Statement is empty!',
  missing: (field: string) => `Missing required field ${field}`,
  effect: (value: string) => `Invalid effect: ${value}`,
  principal: 'Invalid principal in policy',
  action: 'Policy has invalid action',
  resource: 'Policy has invalid resource',
  actionResource: 'Action does not apply to any resource(s) in statement',
  conditionType: (operator: string) => `Invalid Condition type : ${operator}`,
  conditionKey: 'Policy has an invalid condition key',
  conditionActions: 'Conditions do not apply to combination of actions and resources in statement',
  ipAddress: 'Invalid IP address in Conditions',
  // Ours (no source shows AWS's wording for these):
  field: (name: string) => `Policy has an unsupported field: ${name}`,
  element: (name: string) => `Policy has an invalid ${name}`,
  tooManyValues: (limit: number) => `Policies may name at most ${limit} values`,
  valueTooLong: (limit: number) => `Policy values may be at most ${limit} characters`,
} as const;

export const malformed = (message: string): S3Error => new S3Error('MalformedPolicy', { message });
