/**
 * What a Test delivery's history says when the process sending it went away before it recorded an
 * outcome: whether the request went out is not known, and a Test is never sent twice.
 */
export const ABANDONED_TEST_ERROR = 'no outcome: the process sending this test stopped before it finished';
