// The operation table's rows import their modules on first use (lazyOperation, lib/http/dispatch.ts):
// each row repeats its module's route, and here the two are compared, so a row that chooses a request
// its module does not describe fails. Then the loading itself: once per container, and a failed import
// tried again.
import { describe, expect, it } from 'vitest';
import { BUCKET_OPERATIONS, SERVICE_OPERATIONS } from '../../../functions/operations.ts';
import { S3Error } from '../../../lib/errors.ts';
import { lazyOperation, type S3Operation } from '../../../lib/http/dispatch.ts';

const ROWS = [...SERVICE_OPERATIONS, ...BUCKET_OPERATIONS];

/** What chooses an operation (lib/http/dispatch.ts findOperation) and what it authorizes as. */
const routeOf = ({ name, method, target, subresource, parameter, anonymous }: S3Operation) => ({
  name,
  method,
  target,
  subresource,
  parameter,
  anonymous: anonymous ?? false,
});

describe('the operation table', () => {
  it('loads no operation until a request names it: every row is lazy', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(20);
    for (const row of ROWS) expect(row.load, row.name).toBeTypeOf('function');
  });

  it.each(
    ROWS.map((row) => [`${row.target} ${row.method} ${row.subresource ?? ''} ${row.name}`, row] as const),
  )('%s: the row chooses what its module describes', async (_label, row) => {
    const operation = await row.load?.();
    if (!operation) throw new Error(`${row.name} has no module`);
    expect(operation.load).toBeUndefined();
    expect(routeOf(row)).toEqual(routeOf(operation));
    // The action stays in the module (it authorizes with it); the row names none.
    expect(row.action).toBeUndefined();
    if (operation.target === 'bucket' && !operation.anonymous && operation.name !== 'CreateBucket') {
      expect(operation.action, operation.name).toMatch(/^s3:[A-Za-z]+$/);
    }
  });
});

describe('lazyOperation', () => {
  const route = { name: 'HeadBucket', method: 'HEAD', target: 'bucket' } as const;
  const module = (status: number): S3Operation => ({
    ...route,
    action: 's3:ListBucket',
    handle: async () => ({ statusCode: status, headers: {}, body: '' }),
  });

  it('imports its module once, however many requests name it', async () => {
    let imports = 0;
    const row = lazyOperation(route, async () => {
      imports++;
      return module(200);
    });
    expect(imports).toBe(0);
    const answers = await Promise.all([1, 2, 3].map(() => row.handle({} as never)));
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200]);
    expect(await row.load?.()).toBe(await row.load?.());
    expect(imports).toBe(1);
  });

  it('fails the request whose import fails, and tries the import again for the next one', async () => {
    let imports = 0;
    const row = lazyOperation(route, async () => {
      imports++;
      if (imports === 1) throw new S3Error('InternalError');
      return module(204);
    });
    await expect(row.handle({} as never)).rejects.toBeInstanceOf(S3Error);
    expect((await row.handle({} as never)).statusCode).toBe(204);
    expect(imports).toBe(2);
  });

  it("answers a refusal as its module would, and as it is when the module's import fails", async () => {
    const refusal = new S3Error('AccessDenied');
    const withRegion = new S3Error('AccessDenied', { headers: { 'x-amz-bucket-region': 'us-east-1' } });
    const refusing = lazyOperation(route, async () => ({ ...module(200), refused: async () => withRegion }));
    expect(await refusing.refused?.({} as never, refusal)).toBe(withRegion);
    let imports = 0;
    const broken = lazyOperation(route, async () => {
      imports++;
      if (imports === 1) throw new Error('Cannot find module');
      return { ...module(200), refused: async () => withRegion };
    });
    expect(await broken.refused?.({} as never, refusal)).toBe(refusal);
    expect(await broken.refused?.({} as never, refusal)).toBe(withRegion);
  });
});
