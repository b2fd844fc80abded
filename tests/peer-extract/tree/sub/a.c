/* A small C file in the shapes Linux's sources use, for
 * scripts/linux-peer-extract.sh's test (make peer-extract-check). */
#include <stdio.h>

int fn1(int x);
static DEFINE_KEY(k1);
static DEFINE_KEY(k1_other);

#define D1(x) \
	((x) + 1)
#define D1_LONGER 3

struct s1 {
	int a;
};

struct s1_other {
	int b;
};

static int
fn2(int a)
{
	return fn1(a) + D1(a);
}

int fn1_more(int x)
{
	return x;
}

int fn1(int x)
{
	if (x) {
		return x;
	}
	return 0;
}

enum e1 {
	E1_A,
};
