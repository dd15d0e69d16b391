/** Tailwind class sets shared by the settings page, so every control looks and focuses alike. */

const focus = 'focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-500';

const buttonBase = `inline-flex items-center rounded border px-2 py-1 text-sm whitespace-nowrap disabled:cursor-not-allowed disabled:opacity-50 ${focus}`;

export const ui = {
  button: `${buttonBase} border-slate-300 bg-white hover:bg-slate-100 dark:border-slate-600 dark:bg-slate-800 dark:hover:bg-slate-700`,
  primaryButton: `${buttonBase} border-sky-700 bg-sky-600 text-white hover:bg-sky-700 dark:border-sky-500 dark:bg-sky-600 dark:hover:bg-sky-500`,
  dangerButton: `${buttonBase} border-red-300 bg-white text-red-700 hover:bg-red-50 dark:border-red-700 dark:bg-slate-800 dark:text-red-300 dark:hover:bg-red-950`,
  input: `rounded border border-slate-300 bg-white px-2 py-1 text-sm read-only:bg-slate-100 aria-[invalid=true]:border-red-600 dark:border-slate-600 dark:bg-slate-900 dark:read-only:bg-slate-800 dark:aria-[invalid=true]:border-red-400 ${focus}`,
  checkbox: `size-4 accent-sky-600 ${focus}`,
  label: 'text-sm font-medium',
  help: 'text-xs text-slate-600 dark:text-slate-400',
  fieldError: 'text-xs font-medium text-red-700 dark:text-red-400',
  alert: 'rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200',
  section: 'flex flex-col gap-3 rounded-lg border border-slate-200 p-4 dark:border-slate-800',
  sectionHeading: 'text-lg font-semibold',
  fieldset: 'flex flex-col gap-2 rounded border border-slate-200 p-3 dark:border-slate-700',
  legend: 'px-1 text-sm font-semibold',
  table: 'w-full border-collapse text-left text-sm',
  th: 'border-b border-slate-200 px-2 py-1 font-semibold dark:border-slate-700',
  td: 'border-b border-slate-100 px-2 py-1 align-top dark:border-slate-800',
  mono: 'font-mono text-xs break-all',
};
