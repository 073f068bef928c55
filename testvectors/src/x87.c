/* x87: floating point formatting and libm. printf %f %e %g %a %.17g %Lf %La
 * over normal, denormal, infinite, NaN, huge, tiny and negative-zero values;
 * libm sqrt sin cos tan atan2 exp log pow fmod floor ceil round over several
 * inputs; long double arithmetic and conversions; strtod round trips. Both
 * libcs use x87 instructions here (no SSE on i686 builds). NaN signs are
 * printed by both libcs as "nan"/"-nan"; all outputs are checked natively. */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <float.h>
#include <string.h>

static volatile double dvals[] = {
    0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1.5, 2.5, -2.5, 3.0, 10.0, 1e10, 123456.789,
    3.141592653589793, 2.718281828459045, 1e-5, 1e-300, 1e300, 1.7976931348623157e308,
    2.2250738585072014e-308, 4.9406564584124654e-324, 1e-310, 0.3333333333333333,
    -1234567.875, 9007199254740993.0, 0.125, 65536.0, 4294967296.5, 1e22, 1e23,
};
#define ND (sizeof dvals / sizeof dvals[0])

static void pr(const char *what, double x)
{
    printf("%-8s %.17g\n", what, x);
}

int main(void)
{
    unsigned i, j;

    printf("== printf double\n");
    for (i = 0; i < ND; i++) {
        double d = dvals[i];
        printf("%%f=%f %%e=%e %%g=%g %%.17g=%.17g %%a=%a\n", d, d, d, d, d);
        printf("  %%.0f=%.0f %%.3e=%.3e %%.10g=%.10g %%+.2f=%+.2f %%12.4f=[%12.4f]\n",
               d, d, d, d, d);
    }
    volatile double zero = 0.0, one = 1.0;
    double specials[] = { one / zero, -one / zero, sqrt(-one), zero / zero, -(zero / zero),
                          HUGE_VAL, DBL_MIN / 4, -DBL_MAX, DBL_EPSILON };
    for (i = 0; i < sizeof specials / sizeof specials[0]; i++) {
        double d = specials[i];
        printf("special %f %e %g %a isnan=%d isinf=%d signbit=%d\n", d, d, d, d,
               isnan(d) != 0, isinf(d) != 0, signbit(d) != 0);
    }

    printf("== printf long double\n");
    long double lvals[] = { 0.0L, -0.0L, 1.0L, 0.1L, 1.0L / 3.0L, 3.14159265358979323846264L,
                            1e4000L, 1e-4000L, LDBL_MAX, LDBL_MIN, LDBL_MIN / 1024, LDBL_EPSILON,
                            -123456789.123456789L, 18446744073709551615.0L };
    for (i = 0; i < sizeof lvals / sizeof lvals[0]; i++) {
        long double l = lvals[i];
        printf("%%Lf=%Lf %%Le=%Le %%.21Lg=%.21Lg\n", l, l, l);
    }

    printf("== float\n");
    for (i = 0; i < ND; i++) {
        float f = (float)dvals[i];
        printf("%.9g %a\n", (double)f, (double)f);
    }

    printf("== libm\n");
    static const double in1[] = { 0.0, -0.0, 0.5, 1.0, 2.0, -1.0, 3.0, 10.0, 100.5, 1e-8,
                                  -3.75, 0.7853981633974483, 1.5707963267948966, 1e6,
                                  1e22, 2.5, -2.5, 3.5, -0.5 };
    for (i = 0; i < sizeof in1 / sizeof in1[0]; i++) {
        volatile double x = in1[i];
        printf("x=%.17g\n", x);
        pr("sqrt", sqrt(x));
        pr("sin", sin(x));
        pr("cos", cos(x));
        pr("tan", tan(x));
        pr("exp", exp(x));
        pr("log", log(x));
        pr("floor", floor(x));
        pr("ceil", ceil(x));
        pr("round", round(x));
        pr("trunc", trunc(x));
        pr("fabs", fabs(x));
    }
    static const double in2[] = { 0.0, 1.0, -1.0, 2.0, 0.5, -3.0, 10.0, 1e300, -0.0, 7.25 };
    for (i = 0; i < sizeof in2 / sizeof in2[0]; i++) {
        for (j = 0; j < sizeof in2 / sizeof in2[0]; j++) {
            volatile double x = in2[i], y = in2[j];
            printf("x=%g y=%g atan2=%.17g pow=%.17g fmod=%.17g\n", x, y, atan2(x, y), pow(x, y),
                   fmod(x, y));
        }
    }

    printf("== long double arithmetic\n");
    volatile long double a = 1.0L, b = 3.0L;
    long double s = 0;
    for (i = 1; i <= 100; i++) {
        s += a / (long double)(i * i);
        a = -a * 1.0000001L;
    }
    printf("sum=%.21Lg\n", s);
    long double f = 1;
    for (i = 1; i <= 30; i++) {
        f *= i;
        if (i % 5 == 0)
            printf("%u!=%.0Lf\n", i, f);
    }
    printf("1/3=%.25Lf b*b=%.5Lf\n", 1.0L / b, b * b);
    long double e = 1, t = 1;
    for (i = 1; i < 30; i++) { t /= i; e += t; }
    printf("e=%.21Lg\n", e);
    volatile long double big = 1e300L;
    printf("1e300^2=%Lg (double: %g) sqrtl(2)=%.21Lg\n", big * big, (double)(big * big),
           sqrtl(2.0L));

    printf("== conversions\n");
    static const double cv[] = { 0.5, 1.5, 2.5, -0.5, -1.5, 1e9, -1e9, 2147483647.4,
                                 -2147483648.6, 3e9, 123.999 };
    for (i = 0; i < sizeof cv / sizeof cv[0]; i++) {
        volatile double x = cv[i];
        int iv = (x > -2147483649.0 && x < 2147483648.0) ? (int)x : 0;
        long long ll = (long long)x;
        printf("%.17g -> int %d ll %lld lrint %ld llround %lld\n", x, iv, ll, lrint(x),
               llround(x));
    }

    printf("== strtod\n");
    static const char *strs[] = { "0", "1.5", "-2.25e-3", "1e400", "-1e400", "1e-400", "inf",
                                  "-Infinity", "nan", "0x1.8p3", "  42abc", "4.9e-324",
                                  "2.2250738585072011e-308", "0.1", "123456789012345678901234" };
    for (i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        char *end;
        double d = strtod(strs[i], &end);
        printf("strtod(\"%s\")=%.17g used=%d\n", strs[i], d, (int)(end - strs[i]));
    }
    return 0;
}
