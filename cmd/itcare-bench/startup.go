package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
)

// The plugin protocol's constants, as terraform sends them (go-plugin
// handshake of terraform-plugin-go's tf6server).
const (
	magicCookieKey   = "TF_PLUGIN_MAGIC_COOKIE"
	magicCookieValue = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
	schemaMethod     = "/tfplugin6.Provider/GetProviderSchema"
	shutdownMethod   = "/plugin.GRPCController/Shutdown"
)

// startup is one provider start-up, timed from the exec.
type startup struct {
	Handshake   time.Duration // handshake line printed on stdout
	Schema      time.Duration // GetProviderSchema answered
	SchemaBytes int
}

// measureStartup starts the provider binary as terraform does and times the
// plugin handshake and the first GetProviderSchema. The response is read
// into an empty message: proto keeps its fields as unknown bytes, which
// gives its size without the generated tfplugin6 types (internal to
// terraform-plugin-go).
func measureStartup(ctx context.Context, binary string) (startup, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary)
	cmd.Env = append(os.Environ(), magicCookieKey+"="+magicCookieValue, "PLUGIN_PROTOCOL_VERSIONS=6")
	cmd.Stderr = io.Discard
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return startup{}, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return startup{}, err
	}
	exited := make(chan struct{})
	defer func() {
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	lineCh := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lineCh <- sc.Text()
		}
		close(lineCh)
		// Drain until exit so that the provider never blocks on stdout.
		_, _ = io.Copy(io.Discard, stdout)
		_ = cmd.Wait()
		close(exited)
	}()
	var line string
	select {
	case line = <-lineCh:
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		return startup{}, fmt.Errorf("no handshake: %w", ctx.Err())
	}
	var s startup
	s.Handshake = time.Since(start)
	network, addr, err := parseHandshake(line)
	if err != nil {
		_ = cmd.Process.Kill()
		return startup{}, err
	}
	target := addr
	if network == "unix" {
		target = "unix://" + addr
	}
	conn, err := grpc.NewClient(target, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		_ = cmd.Process.Kill()
		return startup{}, err
	}
	defer func() { _ = conn.Close() }()
	resp := &emptypb.Empty{}
	if err := conn.Invoke(ctx, schemaMethod, &emptypb.Empty{}, resp); err != nil {
		_ = cmd.Process.Kill()
		return startup{}, fmt.Errorf("GetProviderSchema: %w", err)
	}
	s.Schema = time.Since(start)
	s.SchemaBytes = proto.Size(resp)
	if err := conn.Invoke(ctx, shutdownMethod, &emptypb.Empty{}, &emptypb.Empty{}); err != nil {
		_ = cmd.Process.Kill()
	}
	return s, nil
}

// parseHandshake reads go-plugin's "core|app|network|address|protocol|cert"
// line and returns the network and address of a gRPC provider of protocol 6.
func parseHandshake(line string) (network, addr string, err error) {
	f := strings.Split(strings.TrimSpace(line), "|")
	if len(f) < 5 || f[0] != "1" || f[1] != "6" || f[4] != "grpc" {
		return "", "", fmt.Errorf("unexpected plugin handshake %q", line)
	}
	return f[2], f[3], nil
}

// median of a non-empty list.
func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
