// Request bodies from the fixture files (test/fixtures/encryption/, whose parse and canonical form the
// unit tests pin), instead of XML repeated inline across the tests.
import { readFileSync } from 'node:fs';

const FIXTURES = new URL('../fixtures/encryption/', import.meta.url);

/** A fixture file's bytes, by its path below test/fixtures/encryption/. */
export const readEncryptionFixture = (path: string): Buffer => readFileSync(new URL(path, FIXTURES));

/** A fixture file as text, without the line end editors leave at the end of the file. */
const text = (path: string) => readEncryptionFixture(path).toString('utf8').trimEnd();

/** AES256 in S3's namespace, as boto3 and the AWS CLI send it. */
export const AES256_XML = text('valid/aws/boto3.xml');
/** AES256 with no namespace, as hand-written requests send it. */
export const AES256_NO_NAMESPACE_XML = text('valid/aws/no-namespace.xml');
/** What GetBucketEncryption answers for either AES256 body. */
export const AES256_CANONICAL_XML = text('valid/aws/boto3.canonical.xml');
