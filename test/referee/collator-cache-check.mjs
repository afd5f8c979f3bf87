// Compares collator-cache.mjs's localeCompare with the original over locales, options and
// strings iam-utils compares (case, accents, ARN separators); TestRefereeCollatorCache reads
// {"compared": n, "differ": [...]} from stdout.
const original = String.prototype.localeCompare
await import('./collator-cache.mjs')
if (String.prototype.localeCompare === original) {
  throw new Error('collator-cache.mjs did not replace String.prototype.localeCompare')
}
const strings = ['', 'a', 'A', 'á', 'b', 'ß', 'ss', 'e\u0301', 'é', ':', '/', '*', 'ä', 'arn:aws:s3:::Bucket/x', 'arn:aws:s3:::bucket/x']
const optionSets = [
  { sensitivity: 'base' },
  { sensitivity: 'accent' },
  { sensitivity: 'case' },
  { sensitivity: 'variant' },
  { sensitivity: 'accent', numeric: true }, // not cached: the original answers
  undefined
]
const differ = []
let compared = 0
for (const locales of [undefined, 'en', 'de', 'sv']) {
  for (const options of optionSets) {
    for (const a of strings) {
      for (const b of strings) {
        const want = original.call(a, b, locales, options)
        const got = a.localeCompare(b, locales, options)
        compared++
        if (got !== want) {
          differ.push(`${JSON.stringify(a)}.localeCompare(${JSON.stringify(b)}, ${locales}, ${JSON.stringify(options)}) = ${got}, want ${want}`)
        }
      }
    }
  }
}
process.stdout.write(JSON.stringify({ compared, differ }) + '\n')
