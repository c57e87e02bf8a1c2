// esdk-obs-nodejs ships no types: just what the signature tests call.
declare module 'esdk-obs-nodejs' {
  /** An operation: `client.getBucketEncryption({ Bucket })` → a promise of the SDK's result. */
  type Operation = (param?: Record<string, unknown>) => Promise<unknown>;
  interface ObsClientInstance {
    getBucketEncryption: Operation;
    setBucketEncryption: Operation;
    deleteBucketEncryption: Operation;
    listBuckets: Operation;
    setBucketAcl: Operation;
    putObject: Operation;
    getObject: Operation;
    close(): void;
  }
  const ObsClient: new (options: Record<string, unknown>) => ObsClientInstance;
  export default ObsClient;
}
