// One Intl.Collator per (locale, sensitivity) for String.prototype.localeCompare, in the referee
// process only.
//
// ECMA-402 defines s.localeCompare(that, locales, options) as
// new Intl.Collator(locales, options).compare(s, that): a collator built on every call. iam-utils
// matches each ARN against the action's resource types one character at a time with
// localeCompare(c, undefined, { sensitivity: 'accent' }), so building collators was ~60% of the
// referee's CPU. For calls whose options are exactly { sensitivity }, this compares with the
// collator the call would have built, made once: the same answers (TestRefereeCollatorCache
// compares them), for about half the referee's CPU. Any other call goes to the original.
const original = String.prototype.localeCompare
const collators = new Map()

String.prototype.localeCompare = function localeCompare(that, locales, options) {
  if (
    (locales === undefined || typeof locales === 'string') &&
    options !== null &&
    typeof options === 'object' &&
    Object.getPrototypeOf(options) === Object.prototype &&
    typeof options.sensitivity === 'string' &&
    Object.keys(options).length === 1
  ) {
    if (this === null || this === undefined) {
      throw new TypeError('String.prototype.localeCompare called on null or undefined')
    }
    const key = `${locales ?? ''}\u0000${options.sensitivity}`
    let collator = collators.get(key)
    if (collator === undefined) {
      collator = new Intl.Collator(locales, { sensitivity: options.sensitivity })
      collators.set(key, collator)
    }
    return collator.compare(String(this), String(that))
  }
  return original.call(this, that, locales, options)
}
