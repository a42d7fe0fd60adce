/** notify(settings, status, started_at): the client's Slack and Teams targets. */
import { subworkflow, type Subworkflow } from '../../builder.ts';
import { http, secretmanager, sysCalls } from '../../connectors.ts';
import { concat, not, or, type Expr } from '../../expr.ts';
import { defaultTo, ifElse, len, mapFns, sys, text, toInt, toString } from '../../stdlib.ts';
import { runSetting } from './run-settings.ts';

/** Slack mrkdwn: `&`, `<` and `>` are control characters, and a code block ends at the next ```. */
function slackEscape(value: Expr<string>): Expr<string> {
  return text.replaceAll(text.replaceAll(text.replaceAll(text.replaceAll(value, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '```', "'''");
}

/**
 * notify(settings, status, started_at): after the status message is published, announces the run
 * to each target of `settings.notify` whose `on` matches (`always`, or `failure` when the job did
 * not succeed). The webhook URL is read from Secret Manager per target and used only as the POST
 * URL: it is never logged, returned, or put in a message. A failing target (missing secret, HTTP
 * error, timeout) is logged as a WARNING naming its type and secret, and the next target is tried;
 * nothing here can change the run's outcome or hide its error.
 */
export function notifySubworkflow(): Subworkflow<readonly ['settings', 'status', 'started_at']> {
  const project = sys.getEnv('GOOGLE_CLOUD_PROJECT_ID');
  return subworkflow('notify', ['settings', 'status', 'started_at'] as const, (s) =>
    s.try(
      'notify_targets',
      (t) =>
        t
          .assign('find_targets', (v) => ({ targets: defaultTo(runSetting(v.settings, 'notify'), []) }))
          // Most clients have no targets: no messages to compose (each step is billed).
          .switch('no_targets', (v, branch) => [branch.when(len(v.targets).eq(0), { return: null })])
          .assign('describe_run', (v) => ({
            failed: v.status.get('job_state').ne('SUCCEEDED'),
            seconds: toInt(sys.now().minus(v.started_at)),
            error_message: defaultTo(mapFns.get(defaultTo(v.status.get('error'), {}), 'message'), ''),
            execution_url: concat(
              'https://console.cloud.google.com/workflows/workflow/',
              sys.getEnv('GOOGLE_CLOUD_LOCATION'),
              '/',
              sys.getEnv('GOOGLE_CLOUD_WORKFLOW_ID'),
              '/execution/',
              sys.getEnv('GOOGLE_CLOUD_WORKFLOW_EXECUTION_ID'),
              '?project=',
              project,
            ),
          }))
          .assign('format_duration', (v) => ({
            duration: concat(
              ifElse(v.seconds.ge(3600), concat(toString(v.seconds.floorDividedBy(3600)), 'h '), ''),
              ifElse(v.seconds.ge(60), concat(toString(v.seconds.modulo(3600).floorDividedBy(60)), 'm '), ''),
              toString(v.seconds.modulo(60)),
              's',
            ),
          }))
          // The Slack text in parts: one expression holding all of it is over Google's 400-character limit.
          .assign('compose_slack_parts', (v) => ({
            slack_job: concat('Batch job *', v.status.get('job_id'), '* for client *', v.status.get('client'), '*'),
            slack_link: concat('<', v.execution_url, '|Workflow execution ', v.status.get('execution_id'), '>'),
            slack_error: slackEscape(v.error_message),
          }))
          .assign('compose_messages', (v) => ({
            // Slack incoming webhook, the seeds' notice. Success: job, client, duration; failure: the error quoted.
            slack_text: ifElse(
              v.failed,
              concat(':x: ', v.slack_job, ' ', text.toLower(v.status.get('job_state')), ' after ', v.duration, ':\n```\n', v.slack_error, '\n```\n', v.slack_link),
              concat(':white_check_mark: ', v.slack_job, ' succeeded in ', v.duration, '.\n', v.slack_link),
            ),
            // Microsoft Teams incoming webhook: a MessageCard.
            teams_card: {
              '@type': 'MessageCard',
              '@context': 'https://schema.org/extensions',
              summary: concat('Batch job ', v.status.get('job_id'), ' ', v.status.get('job_state')),
              themeColor: ifElse(v.failed, 'D13438', '2EB67D'),
              title: concat('Batch job ', v.status.get('job_id'), ' for client ', v.status.get('client'), ': ', v.status.get('job_state')),
              text: ifElse(v.failed, v.error_message, concat('Succeeded in ', v.duration, '.')),
              sections: [
                {
                  facts: [
                    { name: 'Client', value: v.status.get('client') },
                    { name: 'Job', value: v.status.get('job_id') },
                    { name: 'State', value: v.status.get('job_state') },
                    { name: 'Duration', value: v.duration },
                    { name: 'Input', value: v.status.get('input_uri') },
                  ],
                },
              ],
              potentialAction: [{ '@type': 'OpenUri', name: 'Open the workflow execution', targets: [{ os: 'default', uri: v.execution_url }] }],
            },
          }))
          .forIn('each_target', { value: 'target', in: (v) => v.targets }, (body) =>
            body
              .assign('read_target', (v) => ({
                target_type: defaultTo(mapFns.get(v.target, 'type'), ''),
                target_secret: defaultTo(mapFns.get(v.target, 'secret'), ''),
                target_on: defaultTo(mapFns.get(v.target, 'on'), 'failure'),
                stage: 'reading the secret',
              }))
              .switch('skip_unwanted', (v, branch) => [branch.when(not(or(v.target_on.eq('always'), v.failed.and(v.target_on.eq('failure')))), { next: 'continue' })])
              .try(
                'send_notice',
                (n) =>
                  n
                    // The secret: a full name `projects/P/secrets/S`, or an id in the workflow's project.
                    .assign('locate_secret', (v) => ({ secret_project: project, secret_id: v.target_secret }))
                    .switch('full_secret_name', (v, branch) => [
                      branch.when(text.matchRegex(v.target_secret, '^projects/[^/]+/secrets/[^/]+$'), {
                        steps: (d) => d.assign('split_secret_name', (w) => ({ secret_project: text.split(w.target_secret, '/').at(1), secret_id: text.split(w.target_secret, '/').at(3) })),
                      }),
                    ])
                    .call('read_webhook_url', (v) => secretmanager.accessString({ secret_id: v.secret_id, version: 'latest', project_id: v.secret_project }), { result: 'webhook_url' })
                    .assign('start_post', { stage: 'posting' })
                    // No retry: a notice posted twice is worse than one logged as failed.
                    .switch('post_by_type', (v, branch) => [
                      branch.when(v.target_type.eq('slack'), { steps: (d) => d.call('post_slack', (w) => http.post({ url: w.webhook_url, body: { text: w.slack_text }, timeout: 30 })) }),
                      branch.when(v.target_type.eq('teams'), { steps: (d) => d.call('post_teams', (w) => http.post({ url: w.webhook_url, body: w.teams_card, timeout: 30 })) }),
                      branch.when(v.target_type.eq('webhook'), { steps: (d) => d.call('post_webhook', (w) => http.post({ url: w.webhook_url, body: w.status, timeout: 30 })) }),
                      branch.otherwise({ raise: { message: concat('unknown notification type "', v.target_type, '"'), tags: ['ValueError'] } }),
                    ]),
                {
                  except: {
                    as: 'notice_error',
                    // Code and tags only: an error's message may carry the URL it failed to reach.
                    steps: (e) =>
                      e.call('log_notice_error', (v) =>
                        sysCalls.log({
                          json: {
                            message: concat('could not notify the ', v.target_type, ' target (', v.stage, ' failed); the run is not affected'),
                            type: v.target_type,
                            secret: v.target_secret,
                            job_id: v.status.get('job_id'),
                            code: defaultTo(mapFns.get(v.notice_error, 'code'), null),
                            tags: defaultTo(mapFns.get(v.notice_error, 'tags'), []),
                          },
                          severity: 'WARNING',
                        }),
                      ),
                  },
                },
              ),
          ),
      {
        except: {
          // Only settings of an unexpected shape get here: each target's own failure is caught above.
          as: 'notify_error',
          steps: (e) =>
            e.call('log_notify_error', (v) =>
              sysCalls.log({ json: { message: 'could not send notifications; the run is not affected', job_id: v.status.get('job_id'), error: v.notify_error }, severity: 'WARNING' }),
            ),
        },
      },
    ),
  );
}
