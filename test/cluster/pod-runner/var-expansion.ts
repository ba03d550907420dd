/**
 * The kubelet's $(VAR) expansion for env values, command and args: $(NAME) becomes the value of a
 * defined variable and stays as written otherwise; $$ is a literal $; any other $ is itself.
 */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i += 1) {
    const char = input[i];
    if (char !== '$' || i + 1 >= input.length) {
      out += char;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 1;
      continue;
    }
    if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close === -1) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const value = lookup(name);
      out += value ?? input.slice(i, close + 1);
      i = close;
      continue;
    }
    out += char;
  }
  return out;
}
