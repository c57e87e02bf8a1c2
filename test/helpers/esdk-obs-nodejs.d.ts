// esdk-obs-nodejs ships no types: just what the tests call (test/unit/auth, test/e2e/obs.test.ts).
declare module 'esdk-obs-nodejs' {
  import type { ClientRequest, IncomingMessage } from 'node:http';

  /** What every operation resolves to (it rejects only on transport errors, not on S3 errors). */
  export interface ObsResult {
    CommonMsg: {
      Status: number;
      Code: string;
      Message: string;
      HostId: string;
      /** From the response's x-obs- or x-amz-request-id, whichever prefix the signature in use has. */
      RequestId?: string;
      Id2?: string;
    };
    /** The parsed response (null or absent for errors). */
    InterfaceResult?: Record<string, unknown> | null;
  }

  /** Parameters common to every operation, besides the operation's own. */
  export interface OperationParams extends Record<string, unknown> {
    /** Called with the request before it is sent. */
    RequestHook?: (request: ClientRequest) => void;
    /** Called with the response before the client reads it. */
    ResponseHook?: (response: IncomingMessage) => void;
  }

  /** An operation: `client.getBucketEncryption({ Bucket })` → a promise of the SDK's result. */
  type Operation = (param?: OperationParams) => Promise<ObsResult>;

  interface ObsClientInstance {
    createBucket: Operation;
    deleteBucket: Operation;
    getBucketEncryption: Operation;
    setBucketEncryption: Operation;
    setBucketPolicy: Operation;
    getBucketPolicy: Operation;
    deleteBucketEncryption: Operation;
    listBuckets: Operation;
    getBucketMetadata: Operation;
    getBucketLocation: Operation;
    setBucketAcl: Operation;
    getBucketAcl: Operation;
    putBucketPublicAccessBlock: Operation;
    getBucketPublicAccessBlock: Operation;
    deleteBucketPublicAccessBlock: Operation;
    getBucketPolicyPublicStatus: Operation;
    putObject: Operation;
    getObject: Operation;
    /** A presigned URL (`Method`, `Bucket`, `SpecialParam`, `Expires` in seconds from now, `Headers`). */
    createSignedUrlSync(param: Record<string, unknown>): {
      SignedUrl: string;
      ActualSignedRequestHeaders: Record<string, string>;
    };
    close(): void;
  }
  const ObsClient: new (options: Record<string, unknown>) => ObsClientInstance;
  export default ObsClient;
}
