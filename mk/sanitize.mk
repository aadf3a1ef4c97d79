# mk/sanitize.mk - `make test SANITIZE=1`: the whole suite under AddressSanitizer and
# UndefinedBehaviorSanitizer (leak checks included), built in build/amd64-san (the Makefile's
# SAN suffix), so its objects never mix with the normal build. The server binary is linked
# dynamically there (ASan cannot link -static); everything else is as usual. Any report fails
# the test that caused it: UBSan does not recover, ASan aborts.

ifneq ($(SANITIZE),)
override CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
TEST_ENV += ASAN_OPTIONS=abort_on_error=0:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
endif
TEST_ENV += BG_TEST_SANITIZE=$(SANITIZE)
