'use strict';
// haywire: libhaywire from Node and Electron (main or utility process), on koffi.
// The same API on ffi-napi: require('haywire/ffi-napi').
module.exports = require('./lib/core').create(require('./lib/koffi'));
