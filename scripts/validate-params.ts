// A serverless plugin (serverless.yml `plugins`, listed first): checks every deploy param against the
// one param table (lib/deploy-params.ts: the rules of lib/config.ts, which `npm start` uses too)
// before anything is built or sent. `serverless package` and `serverless deploy` (and `deploy
// function`) stop with exit 1 and one line per problem: an invalid value, a missing or stray
// companion (certificateArn with domainName, tableStreamArn and secretsKeyArn with adoptTable), a
// boolean that is not `true`/`false`, an unknown `--param` name. It runs before serverless-esbuild
// builds, so a bad param fails in seconds. serverless-offline (`npm start`) does not package and is
// not checked here: `npm start` checks its own settings with the same rules.
import { defaultsProblems, paramProblems } from '../lib/deploy-params.ts';

interface Serverless {
  configurationInput?: { params?: Record<string, Record<string, unknown> | undefined> };
  service: { service?: string; provider: { stage?: string; region?: string } };
  classes: { Error: new (message: string, code?: string) => Error };
}

interface Options {
  param?: string[];
  stage?: string;
  region?: string;
}

/** `--param name=value` as osls reads it (its variables/sources/instance-dependent/param.js). */
export function cliParams(param: readonly string[] = []): Record<string, string> {
  const given: Record<string, string> = {};
  for (const item of param) {
    const match = /^(?<key>[^=]+)=(?<value>.+)$/s.exec(item);
    if (match?.groups) given[match.groups.key ?? ''] = (match.groups.value ?? '').trimEnd();
  }
  return given;
}

export default class ValidateParams {
  readonly hooks: Record<string, () => void>;

  constructor(serverless: Serverless, options: Options) {
    let checked = false;
    const check = () => {
      if (checked) return; // `deploy` runs `package` inside it: once is enough
      checked = true;
      const configured = serverless.configurationInput?.params ?? {};
      const stage = options.stage ?? serverless.service.provider.stage ?? 'dev';
      const problems = [
        ...defaultsProblems(configured.default ?? {}),
        ...paramProblems(
          cliParams(options.param),
          {
            service: serverless.service.service ?? '',
            stage,
            region: options.region ?? serverless.service.provider.region ?? 'us-east-1',
          },
          configured[stage] ?? {},
        ),
      ];
      if (problems.length > 0)
        throw new serverless.classes.Error(problems.join('\n'), 'INVALID_DEPLOY_PARAM');
    };
    this.hooks = {
      'before:package:initialize': check,
      'before:deploy:deploy': check,
      'before:deploy:function:initialize': check,
    };
  }
}
