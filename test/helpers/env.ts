// Setup for integration tests: point the in-process handlers at the suite's DynamoDB Local.
import { inject } from 'vitest';

process.env.TABLE_NAME = inject('tableName');
process.env.DYNAMODB_ENDPOINT = inject('dynamodbEndpoint');
process.env.S3_REGION = 'us-east-1';
process.env.S3_BASE_DOMAIN = 'localhost';
process.env.LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
