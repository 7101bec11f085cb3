import type { InstallProvider } from '@slack/oauth';
import type { FastifyPluginAsync } from 'fastify';
import type { GatewayContext } from '../gateway-context';

/**
 * `GET /slack/install` and `GET /slack/oauth_redirect`: OAuth v2 through `@slack/oauth` (state
 * verified with a cookie; the installation stored encrypted). Registered only with an installer.
 */
export const oauthRoutes: FastifyPluginAsync<GatewayContext & { installer: InstallProvider }> = async (
  app,
  { config, installer, logger },
) => {
  const redirectUri = `${config.PUBLIC_URL.replace(/\/$/, '')}/slack/oauth_redirect`;
  const scopes = config.SLACK_SCOPES.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  app.get('/slack/install', async (request, reply) => {
    reply.hijack();
    await installer.handleInstallPath(request.raw, reply.raw, {}, { scopes, redirectUri });
  });
  app.get('/slack/oauth_redirect', async (request, reply) => {
    reply.hijack();
    await installer.handleCallback(request.raw, reply.raw, {
      success: (installation, _options, _req, res) => {
        logger.info(
          { teamId: installation.team?.id, enterpriseId: installation.enterprise?.id },
          'app installed',
        );
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          '<html><body><h1>CoffeeBuddy is installed</h1><p>Type <code>/coffee</code> in a channel to start a run.</p></body></html>',
        );
      },
      failure: (error, _options, _req, res) => {
        logger.warn({ code: (error as { code?: string }).code, err: error.message }, 'installation failed');
        res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          '<html><body><h1>Installation failed</h1><p>Please start again from the install link.</p></body></html>',
        );
      },
    });
  });
};
