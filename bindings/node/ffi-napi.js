'use strict';
// haywire on ffi-napi: the same API as require('haywire'), for stacks that
// already use ffi-napi. Slower (~15 µs a call) and not for Electron >= 21.
module.exports = require('./lib/core').create(require('./lib/ffi-napi'));
