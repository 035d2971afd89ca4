package serve

import "testing"

func TestPyTitle(t *testing.T) {
	for in, want := range map[string]string{
		"echo invoke":                "Echo Invoke",
		"chatv1 stream log":          "Chatv1 Stream Log",
		"my-chain.v1 invoke":         "My-Chain.V1 Invoke",
		"conf invoke with config":    "Conf Invoke With Config",
		"create_feedback_from_token": "Create_Feedback_From_Token",
	} {
		if got := pyTitle(in); got != want {
			t.Errorf("pyTitle(%q) = %q, want %q", in, got, want)
		}
	}
	if got := operationID("chat invoke with config", "/chat/c/{config_hash}/invoke", "post"); got != "chat_invoke_with_config_chat_c__config_hash__invoke_post" {
		t.Errorf("operationID = %q", got)
	}
}
