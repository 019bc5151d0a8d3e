// What both Node SDK scripts use: checks that print "ok" or fail the run, and a seeded pseudo-random source.
'use strict';

function fail(msg, detail) {
  console.error('FAIL: ' + msg + (detail === undefined ? '' : ' ' + JSON.stringify(detail)));
  process.exit(1);
}
function check(cond, msg, detail) {
  if (!cond) fail(msg, detail);
  console.log('ok   ' + msg);
}
function ok(res, what) {
  const st = res && (res.status || res);
  check(st && st.error_code === 'Success', what + ' status', st);
}
function notOk(res, what) {
  const st = res && (res.status || res);
  check(st && st.error_code !== 'Success', what + ' is an error', st);
  return st;
}
// deterministic pseudo-random numbers in [-1, 1) (a linear congruential generator from `seed`)
function random(seed) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 * 2 - 1;
  };
}

module.exports = { fail, check, ok, notOk, random };
