# BR_CHECK_CFLAG(FLAG, ACTION-IF-OK)
# Run ACTION-IF-OK when the C compiler accepts FLAG without a warning.
AC_DEFUN([BR_CHECK_CFLAG], [
  AS_VAR_PUSHDEF([br_var], [br_cv_cflag_$1])
  AC_CACHE_CHECK([whether $CC accepts $1], [br_var], [
    br_save_CFLAGS=$CFLAGS
    CFLAGS="$CFLAGS -Werror $1"
    AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [return 0;])],
      [AS_VAR_SET([br_var], [yes])], [AS_VAR_SET([br_var], [no])])
    CFLAGS=$br_save_CFLAGS])
  AS_VAR_IF([br_var], [yes], [$2])
  AS_VAR_POPDEF([br_var])
])

# BR_CHECK_LDFLAG(FLAG, ACTION-IF-OK)
# Run ACTION-IF-OK when linking with FLAG works.
AC_DEFUN([BR_CHECK_LDFLAG], [
  AS_VAR_PUSHDEF([br_var], [br_cv_ldflag_$1])
  AC_CACHE_CHECK([whether the linker accepts $1], [br_var], [
    br_save_LDFLAGS=$LDFLAGS
    LDFLAGS="$LDFLAGS $1"
    AC_LINK_IFELSE([AC_LANG_PROGRAM([], [return 0;])],
      [AS_VAR_SET([br_var], [yes])], [AS_VAR_SET([br_var], [no])])
    LDFLAGS=$br_save_LDFLAGS])
  AS_VAR_IF([br_var], [yes], [$2])
  AS_VAR_POPDEF([br_var])
])
