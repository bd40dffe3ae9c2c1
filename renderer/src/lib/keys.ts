// Keyboard shortcuts on a page with form fields: a key belongs to the field when the student types.

/**
 * Whether a key pressed with focus on `target` is typing: in a text field, a text area or a
 * select. A checkbox, radio, slider or button in focus (just clicked) does not type.
 */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  const tag = el?.tagName;
  if (tag === 'INPUT') return !['checkbox', 'radio', 'range', 'button'].includes((el as HTMLInputElement).type);
  return tag === 'TEXTAREA' || tag === 'SELECT' || el?.isContentEditable === true;
}
