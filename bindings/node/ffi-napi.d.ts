// require('haywire/ffi-napi'): the same API as require('haywire'), on ffi-napi.
export * from './index';
