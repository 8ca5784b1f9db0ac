package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func loadNotify(t *testing.T, src string) (*Manifest, string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.ltx.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	m, diags := Load(dir, LoadOptions{})
	return m, diags.Error()
}

func TestNotifyBlocksDecode(t *testing.T) {
	m, errs := loadNotify(t, `
locals {
  hook = "https://hooks.example.com/ltxform"
}
notify "slack" {
  webhook_url_env = "SLACK_WEBHOOK_URL"
}
notify "webhook" {
  url        = local.hook
  secret_env = "LTXFORM_WEBHOOK_SECRET"
  on         = ["completed", "failed", "failed"]
}
`)
	if errs != "no diagnostics" && errs != "" {
		t.Fatal(errs)
	}
	if len(m.Notify) != 2 {
		t.Fatalf("%d notify blocks", len(m.Notify))
	}
	slack, hook := m.Notify[0], m.Notify[1]
	if slack.Type != "slack" || slack.WebhookURLEnv != "SLACK_WEBHOOK_URL" || !slices.Equal(slack.On, []string{"failed", "uncertain", "budget_stop"}) {
		t.Errorf("slack %+v", slack)
	}
	if hook.URL != "https://hooks.example.com/ltxform" || hook.SecretEnv != "LTXFORM_WEBHOOK_SECRET" || !slices.Equal(hook.On, []string{"completed", "failed"}) {
		t.Errorf("webhook %+v", hook)
	}
}

func TestNotifyBlockErrorsNameTheAttribute(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`notify "email" {}`, `main.ltx.hcl:1,8-15: Unsupported notify type; The notify type "email" is not known`},
		{"notify \"slack\" {\n  webhook_url_env = \"https://hooks.slack.com/services/T/B/x\"\n}", "main.ltx.hcl:2,3-18: webhook_url_env names the environment variable"},
		{"notify \"webhook\" {\n  url = \"ftp://x\"\n  secret_env = \"S\"\n}", "main.ltx.hcl:2,9-18: Invalid url"},
		{"notify \"webhook\" {\n  url = \"https://x\"\n}", `Missing required argument; The argument "secret_env" is required`},
		{"notify \"slack\" {\n  webhook_url_env = \"S\"\n  on = [\"sometimes\"]\n}", `main.ltx.hcl:3,8-21: Invalid on; on may name "completed", "failed", "uncertain", "budget_stop"`},
	} {
		_, errs := loadNotify(t, tc.src)
		if strings.Contains(errs, "hooks.slack.com") {
			t.Errorf("a diagnostic quotes what may be a secret: %s", errs)
		}
		if !strings.Contains(errs, tc.want) {
			t.Errorf("%s\n  gave %s\n  want %s", tc.src, errs, tc.want)
		}
	}
}
