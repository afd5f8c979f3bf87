// What a form's fields held when it was sent. React resets a form once its action is done, to
// each field's default value: a form whose action was refused gives these back as its fields'
// defaults, so the user corrects what was refused instead of typing it all again.

export type Entered<Name extends string> = Record<Name, string>;

/** The text each named field of form held ('' for a field that is missing or not text). */
export function entered<Name extends string>(form: FormData, names: readonly Name[]): Entered<Name> {
  return Object.fromEntries(names.map((name) => {
    const value = form.get(name);
    return [name, typeof value === 'string' ? value : ''];
  })) as Entered<Name>;
}
