/*
 * Printing the effective configuration (bacsc-router -p): every setting
 * with its value or default, in libconfig syntax that loads again to the
 * same print.  Optional settings without a value are left out.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "router/cfg_int.h"

static void print_group(FILE *, const struct cfg_table *, const void *,
    int);

static void
indent(FILE *fp, int depth)
{
	int i;

	for (i = 0; i < depth; i++)
		fputs("  ", fp);
}

static void
print_strlist(FILE *fp, const struct cfg_strlist *l)
{
	static char q[CFG_TEXT_MAX];
	size_t i;

	fputs("[", fp);
	for (i = 0; i < l->n; i++) {
		cfg_quote(l->v[i], q, sizeof(q));
		fprintf(fp, "%s %s", i > 0 ? "," : "", q);
	}
	fputs(" ];\n", fp);
}

static void
print_field(FILE *fp, const struct cfg_field *f, const void *obj, int depth)
{
	const void *p = CFG_CAT(obj, f);
	static char buf[CFG_TEXT_MAX];
	size_t i, n;

	indent(fp, depth);
	fprintf(fp, "%s = ", f->name);
	switch (cfg_kind_shape(f->kind)) {
	case CS_STRLIST:
		print_strlist(fp, p);
		return;
	case CS_GROUP:
		fputs("{\n", fp);
		print_group(fp, f->sub, p, depth + 1);
		indent(fp, depth);
		fputs("};\n", fp);
		return;
	case CS_LIST:
		n = *(const size_t *)((const char *)obj + f->cnt_off);
		fputs("(", fp);
		for (i = 0; i < n; i++) {
			fputs(i > 0 ? ",\n" : "\n", fp);
			indent(fp, depth + 1);
			fputs("{\n", fp);
			print_group(fp, f->sub, *(char *const *)p +
			    i * f->sub->size, depth + 2);
			indent(fp, depth + 1);
			fputs("}", fp);
		}
		if (n > 0) {
			fputs("\n", fp);
			indent(fp, depth);
		}
		fputs(");\n", fp);
		return;
	case CS_BOOL:
	case CS_INT:
	case CS_TEXT:
		cfg_value_text(f, obj, buf, sizeof(buf));
		fprintf(fp, "%s;\n", buf);
		return;
	}
}

static void
print_group(FILE *fp, const struct cfg_table *t, const void *obj, int depth)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (cfg_field_present(&t->f[i], obj))
			print_field(fp, &t->f[i], obj, depth);
}

void
cfg_print(const struct cfg *c, FILE *fp)
{
	fputs("# bacsc-router: effective configuration, defaults filled in\n",
	    fp);
	print_group(fp, &cfg_root_table, c, 0);
}
