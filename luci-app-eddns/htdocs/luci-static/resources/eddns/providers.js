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
		{ type: 'qcloud_cns', title: _('Tencent Cloud CNS, legacy v2') },
		{ type: 'rfc2136', title: _('RFC 2136 dynamic update (BIND, Knot, ...) with TSIG') },
		{ type: 'powerdns', title: _('PowerDNS Authoritative Server HTTP API') }
	],

	options: [
		{
			name: 'access_key_id',
			kind: 'string',
			label: _('AccessKey ID'),
			help: _('Alibaba Cloud AccessKey ID.'),
			required: true,
			types: [ 'alidns' ]
		},
		{
			name: 'access_key_secret',
			kind: 'secret',
			label: _('AccessKey secret'),
			help: _('Alibaba Cloud AccessKey secret.'),
			secret: true,
			required: true,
			types: [ 'alidns' ]
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
			name: 'endpoint',
			kind: 'url',
			label: _('Endpoint'),
			help: _('API endpoint; empty means the provider\'s official endpoint. PowerDNS: the webserver\'s base URL, e.g. http://ns1.example.net:8081 (required).'),
			required_for: [ 'powerdns' ],
			types: [ 'alidns', 'tencentcloud', 'qcloud_cns', 'powerdns' ]
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
