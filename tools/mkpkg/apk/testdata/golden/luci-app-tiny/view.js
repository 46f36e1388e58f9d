'use strict';
'require view';

return view.extend({
	render0: function() { return E('div', {}, _('Tiny 0')); },
	render1: function() { return E('div', {}, _('Tiny 1')); },
	render2: function() { return E('div', {}, _('Tiny 2')); },
	render3: function() { return E('div', {}, _('Tiny 3')); },
	render4: function() { return E('div', {}, _('Tiny 4')); },
	render5: function() { return E('div', {}, _('Tiny 5')); },
	render6: function() { return E('div', {}, _('Tiny 6')); },
	render7: function() { return E('div', {}, _('Tiny 7')); },
	render8: function() { return E('div', {}, _('Tiny 8')); },
	render9: function() { return E('div', {}, _('Tiny 9')); },
	render10: function() { return E('div', {}, _('Tiny 10')); },
	render11: function() { return E('div', {}, _('Tiny 11')); },
});
