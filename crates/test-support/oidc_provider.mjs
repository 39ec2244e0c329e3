// A real OpenID Provider (panva/oidc-provider, pinned in xtask/node) on
// 127.0.0.1 and a free port, for the integration tests of fapi-jwt-assert and hague-client
// (started by test_support::oidc::OidcProvider).
//
// argv[2]: the client's public JWK (JSON). Prints `READY <port>` once
// listening, and `GRANT_ERROR <message>` for each refused grant: the HTTP
// error_description is always generic, the real reason only comes here.
import http from 'node:http';
import Provider from 'oidc-provider';

const jwk = JSON.parse(process.argv[2]);
const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: [{
      client_id: 'das-api-auth',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      jwks: { keys: [jwk] },
      scope: 'das-api/das-access',
    }],
    scopes: ['das-api/das-access', 'other-scope'],
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
    },
    ttl: { ClientCredentials: 3600 },
  });
  provider.on('grant.error', (ctx, err) => console.log(`GRANT_ERROR ${err.message} ${err.error_detail ?? ''} ${err.error_description ?? ''}`));
  provider.on('server_error', (ctx, err) => console.log(`SERVER_ERROR ${err.message}`));
  server.on('request', provider.callback());
  console.log(`READY ${port}`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
