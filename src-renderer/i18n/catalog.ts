// The shape a translation must have: every key of the English catalogue, strings at the leaves.
// English plural forms `x_one` are optional (Chinese has one form, `x_other`).

type PluralOne = `${string}_one`;

export type Catalog<T> = {
  [K in keyof T as K extends PluralOne ? never : K]: T[K] extends string ? string : Catalog<T[K]>;
} & {
  [K in keyof T as K extends PluralOne ? K : never]?: string;
};
