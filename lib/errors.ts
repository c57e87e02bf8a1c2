// The one table of S3 error codes this service can answer with: code → HTTP status and AWS's
// default message. Codes are a typed union taken from this table; no free-string codes elsewhere.
// Messages follow AWS's wording where clients match on it (Terraform matches the
// ServerSideEncryptionConfigurationNotFoundError message).

export const S3_ERRORS = {
  AccessControlListNotSupported: [400, 'The bucket does not allow ACLs'],
  AccessDenied: [403, 'Access Denied'],
  AuthorizationHeaderMalformed: [400, 'The authorization header is malformed.'],
  AuthorizationQueryParametersError: [400, 'Error parsing the X-Amz-Credential parameter.'],
  BadDigest: [
    400,
    'The Content-MD5 or checksum value that you specified did not match what the server received.',
  ],
  BucketAlreadyExists: [
    409,
    'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
  ],
  BucketAlreadyOwnedByYou: [
    409,
    'Your previous request to create the named bucket succeeded and you already own it.',
  ],
  IllegalLocationConstraintException: [
    400,
    'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.',
  ],
  InternalError: [500, 'We encountered an internal error. Please try again.'],
  InvalidAccessKeyId: [403, 'The AWS Access Key Id you provided does not exist in our records.'],
  InvalidArgument: [400, 'Invalid Argument'],
  InvalidBucketAclWithObjectOwnership: [
    400,
    "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
  ],
  InvalidBucketName: [400, 'The specified bucket is not valid.'],
  InvalidBucketOwnerAWSAccountID: [
    400,
    'The value of the expected bucket owner parameter must be an AWS Account ID...',
  ],
  InvalidDigest: [400, 'The Content-MD5 or checksum value you specified is not valid.'],
  InvalidLocationConstraint: [400, 'The specified location-constraint is not valid'],
  InvalidRequest: [400, 'Invalid Request'],
  InvalidToken: [400, 'The provided token is malformed or otherwise invalid.'],
  InvalidURI: [400, "Couldn't parse the specified URI."],
  MalformedACLError: [
    400,
    'The XML you provided was not well-formed or did not validate against our published schema',
  ],
  MalformedPolicy: [400, "Policies must be valid JSON and the first byte must be '{'"],
  MalformedXML: [
    400,
    'The XML you provided was not well-formed or did not validate against our published schema',
  ],
  MaxMessageLengthExceeded: [400, 'Your request was too big.'],
  MethodNotAllowed: [405, 'The specified method is not allowed against this resource.'],
  MissingSecurityHeader: [400, 'Your request was missing a required header'],
  NoSuchBucket: [404, 'The specified bucket does not exist'],
  NoSuchBucketPolicy: [404, 'The bucket policy does not exist'],
  NoSuchEncryptionConfiguration: [404, 'The encryption configuration does not exist'],
  NoSuchPublicAccessBlockConfiguration: [404, 'The public access block configuration was not found'],
  NotImplemented: [501, 'A header you provided implies functionality that is not implemented'],
  OperationAborted: [
    409,
    'A conflicting conditional operation is currently in progress against this resource. Please try again.',
  ],
  OwnershipControlsNotFoundError: [404, 'The bucket ownership controls were not found'],
  // S3's answer when the request's headers and query string together exceed 8 KB.
  RequestHeaderSectionTooLarge: [400, 'Your request header section exceeds the maximum allowed size.'],
  RequestTimeTooSkewed: [403, "The difference between the request time and the server's time is too large."],
  ServerSideEncryptionConfigurationNotFoundError: [
    404,
    'The server side encryption configuration was not found',
  ],
  // AWS's error list: ServiceUnavailable "Service is unable to handle request."; the rate message is SlowDown's.
  ServiceUnavailable: [503, 'Service is unable to handle request.'],
  SignatureDoesNotMatch: [
    403,
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  ],
  SlowDown: [503, 'Please reduce your request rate.'],
  UnexpectedContent: [400, 'This request does not support content'],
  XAmzContentSHA256Mismatch: [
    400,
    "The provided 'x-amz-content-sha256' header does not match what was computed.",
  ],
} as const satisfies Record<string, readonly [number, string]>;

export type S3ErrorCode = keyof typeof S3_ERRORS;

/** Extra elements of the `<Error>` document (BucketName, ArgumentName, …), in order. */
export type S3ErrorFields = Readonly<Record<string, string>>;

export interface S3ErrorOptions {
  message?: string;
  fields?: S3ErrorFields;
  /** Extra response headers (e.g. `x-amz-bucket-region` on a HeadBucket 404). */
  headers?: Readonly<Record<string, string>>;
  cause?: unknown;
}

export class S3Error extends Error {
  readonly code: S3ErrorCode;
  readonly statusCode: number;
  readonly fields: S3ErrorFields;
  readonly headers: Readonly<Record<string, string>>;
  /** Whether the message may reach the client: never for 5xx (the detail goes to the logs). */
  readonly expose: boolean;

  constructor(code: S3ErrorCode, options: S3ErrorOptions = {}) {
    const [statusCode, defaultMessage] = S3_ERRORS[code];
    super(options.message ?? defaultMessage, { cause: options.cause });
    this.name = 'S3Error';
    this.code = code;
    this.statusCode = statusCode;
    this.fields = options.fields ?? {};
    this.headers = options.headers ?? {};
    this.expose = statusCode < 500;
  }

  /** The message a client sees: AWS's generic one for server errors. */
  get publicMessage(): string {
    return this.expose ? this.message : S3_ERRORS[this.code][1];
  }
}

export const isS3Error = (error: unknown): error is S3Error => error instanceof S3Error;

// Factories for the errors raised from more than one place.
export const noSuchBucket = (bucket: string) =>
  new S3Error('NoSuchBucket', { fields: { BucketName: bucket } });
export const accessDenied = (message?: string) => new S3Error('AccessDenied', message ? { message } : {});
export const malformedXml = (detail?: string) =>
  // The detail is for logs only: AWS answers MalformedXML with its fixed message.
  new S3Error('MalformedXML', detail ? { cause: detail } : {});
export const invalidArgument = (message: string, argumentName: string, argumentValue?: string) =>
  new S3Error('InvalidArgument', {
    message,
    fields:
      argumentValue === undefined
        ? { ArgumentName: argumentName }
        : { ArgumentName: argumentName, ArgumentValue: argumentValue },
  });
export const invalidRequest = (message: string) => new S3Error('InvalidRequest', { message });
export const notImplemented = (message?: string) => new S3Error('NotImplemented', message ? { message } : {});
