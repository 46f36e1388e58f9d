'use strict';
'require baseclass';

/*
 * GENERATED from `eddns schema` by `go generate ./luci-app-eddns`; do not
 * edit. The provider types eddns is built with and their options, as
 * declared in each provider's package (providers.Spec). view/eddns/config.js
 * builds the provider form from this.
 */

return baseclass.extend({
	types: [
		{ type: 'alidns', title: _('Alibaba Cloud DNS') },
		{ type: 'tencentcloud', title: _('Tencent Cloud DNSPod API 3.0') },
		{ type: 'qcloud_cns', title: _('Tencent Cloud CNS, legacy v2, shut down in 2023') },
		{ type: 'cloudflare', title: _('Cloudflare') },
		{ type: 'huaweicloud', title: _('Huawei Cloud DNS') },
		{ type: 'rfc2136', title: _('RFC 2136 dynamic update (BIND, Knot, ...) with TSIG') },
		{ type: 'powerdns', title: _('PowerDNS Authoritative Server HTTP API') },
		{ type: 'webhook', title: _('Webhook (custom HTTP request)') }
	],

	options: [
		{
			name: 'access_key_id',
			kind: 'string',
			label: _('AccessKey ID'),
			help: _('Alibaba Cloud AccessKey ID. Huawei Cloud Access Key ID (AK).'),
			required: true,
			types: [ 'alidns', 'huaweicloud' ]
		},
		{
			name: 'access_key_secret',
			kind: 'secret',
			label: _('AccessKey secret'),
			help: _('Alibaba Cloud AccessKey secret. Huawei Cloud Secret Access Key (SK).'),
			secret: true,
			required: true,
			types: [ 'alidns', 'huaweicloud' ]
		},
		{
			name: 'secret_id',
			kind: 'string',
			label: _('SecretId'),
			help: _('Tencent Cloud SecretId.'),
			required: true,
			types: [ 'tencentcloud', 'qcloud_cns' ]
		},
		{
			name: 'secret_key',
			kind: 'secret',
			label: _('SecretKey'),
			help: _('Tencent Cloud SecretKey.'),
			secret: true,
			required: true,
			types: [ 'tencentcloud', 'qcloud_cns' ]
		},
		{
			name: 'api_token',
			kind: 'secret',
			label: _('API token'),
			help: _('Cloudflare API token with Zone:Read and DNS:Edit permissions for the zone.'),
			secret: true,
			required: true,
			types: [ 'cloudflare' ]
		},
		{
			name: 'region',
			kind: 'string',
			format: 'label',
			label: _('Region'),
			help: _('Huawei Cloud region whose DNS endpoint is used (dns.REGION.myhuaweicloud.com); public zones are global.'),
			default: 'cn-north-4',
			types: [ 'huaweicloud' ]
		},
		{
			name: 'server',
			kind: 'string',
			format: 'host_port',
			label: _('Server'),
			help: _('Primary name server taking the updates: host or host:port (port 53 by default).'),
			required: true,
			types: [ 'rfc2136' ]
		},
		{
			name: 'key_name',
			kind: 'string',
			label: _('TSIG key name'),
			help: _('Name of the TSIG key as the server knows it (key "name" { ... } in named.conf).'),
			required: true,
			types: [ 'rfc2136' ]
		},
		{
			name: 'key_secret',
			kind: 'secret',
			format: 'base64',
			label: _('TSIG secret'),
			help: _('The key\'s secret, base64 as tsig-keygen prints it.'),
			secret: true,
			required: true,
			types: [ 'rfc2136' ]
		},
		{
			name: 'key_algorithm',
			kind: 'enum',
			label: _('TSIG algorithm'),
			help: _('HMAC algorithm of the key.'),
			default: 'hmac-sha256',
			values: [ 'hmac-sha256', 'hmac-sha512', 'hmac-sha384', 'hmac-sha224', 'hmac-sha1', 'hmac-md5' ],
			types: [ 'rfc2136' ]
		},
		{
			name: 'api_key',
			kind: 'secret',
			label: _('API key'),
			help: _('The server\'s api-key (pdns.conf), sent as X-API-Key.'),
			secret: true,
			required: true,
			types: [ 'powerdns' ]
		},
		{
			name: 'server_id',
			kind: 'string',
			format: 'label',
			label: _('Server id'),
			help: _('Server id in the API path; the Authoritative Server only has localhost.'),
			default: 'localhost',
			types: [ 'powerdns' ]
		},
		{
			name: 'url',
			kind: 'url',
			label: _('URL'),
			help: _('Address of the request; may hold the placeholders {name} {zone} {fqdn} {type} {value} {ttl}.'),
			required: true,
			types: [ 'webhook' ]
		},
		{
			name: 'method',
			kind: 'enum',
			label: _('Method'),
			help: _('HTTP method of the request.'),
			default: 'POST',
			values: [ 'POST', 'PUT', 'PATCH', 'GET' ],
			types: [ 'webhook' ]
		},
		{
			name: 'header',
			kind: 'list',
			item: 'string',
			format: 'http_header',
			label: _('Headers'),
			help: _('Request headers, one \'Name: value\' each; their values are treated as secrets.'),
			secret: true,
			types: [ 'webhook' ]
		},
		{
			name: 'body',
			kind: 'string',
			label: _('Body'),
			help: _('Request body with the same placeholders; sent as JSON when it starts with { or [, else as plain text.'),
			types: [ 'webhook' ]
		},
		{
			name: 'token',
			kind: 'secret',
			label: _('Token'),
			help: _('A secret the URL, the headers and the body can use as {token}, e.g. \'Authorization: Bearer {token}\'.'),
			secret: true,
			types: [ 'webhook' ]
		},
		{
			name: 'endpoint',
			kind: 'url',
			label: _('Endpoint'),
			help: _('API endpoint; empty means the provider\'s official endpoint. Tencent shut down the official CNS v2 API (qcloud_cns) in 2023: qcloud_cns needs a compatible private endpoint here; new accounts use tencentcloud. PowerDNS: the webserver\'s base URL, e.g. http://ns1.example.net:8081 (required).'),
			required_for: [ 'powerdns' ],
			types: [ 'alidns', 'tencentcloud', 'qcloud_cns', 'cloudflare', 'huaweicloud', 'powerdns' ]
		},
		{
			name: 'timeout',
			kind: 'int',
			label: _('Timeout'),
			help: _('Time limit of one API call.'),
			default: '15',
			min: 1,
			max: 300
		}
	]
});
