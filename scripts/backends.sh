# Sourced by test.sh: which databases pytest runs on. CI (CI=true) runs both whatever the environment
# says, so a TEST_BACKENDS=sqlite left in a CI job's settings cannot narrow it; locally TEST_BACKENDS
# (sqlite, postgresql, or both comma-separated) narrows a run, and both is the default.
if [ "${CI:-}" = "true" ]; then
  export TEST_BACKENDS="sqlite,postgresql"
else
  export TEST_BACKENDS="${TEST_BACKENDS:-sqlite,postgresql}"
fi
