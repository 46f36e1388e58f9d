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
		{ type: 'qcloud_cns', title: _('Tencent Cloud CNS, legacy v2') }
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
			name: 'endpoint',
			kind: 'url',
			label: _('Endpoint'),
			help: _('API endpoint; empty means the provider\'s official endpoint.')
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
