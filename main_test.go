package main

import (
	"os"
	"testing"
)

func TestQuietSDKLogsUnlessAsked(t *testing.T) {
	unsetAll := func() {
		for _, k := range append([]string{"TF_LOG", "TF_LOG_PATH"}, quietLogVariables...) {
			t.Setenv(k, "")
			_ = os.Unsetenv(k)
		}
	}

	t.Run("no log asked: plugin logs off", func(t *testing.T) {
		unsetAll()
		quietSDKLogsUnlessAsked()
		for _, k := range quietLogVariables {
			if got := os.Getenv(k); got != "OFF" {
				t.Errorf("%s = %q, want OFF", k, got)
			}
		}
	})
	t.Run("TF_LOG set: levels left to Terraform", func(t *testing.T) {
		unsetAll()
		t.Setenv("TF_LOG", "TRACE")
		quietSDKLogsUnlessAsked()
		for _, k := range quietLogVariables {
			if got, ok := os.LookupEnv(k); ok {
				t.Errorf("%s = %q, want unset", k, got)
			}
		}
	})
}
