package file_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/regmint/regmint/core"
	"github.com/regmint/regmint/core/store/file"
)

// Example keeps a docker login in a config.json and reads its metadata
// back from the sidecar.
func Example() {
	dir, err := os.MkdirTemp("", "regmint-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	store, err := file.New(filepath.Join(dir, "docker", "config.json"))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	err = store.Put(ctx, "build-host", core.Record{
		Credential: core.Credential{
			Registry:  "swr.cn-north-4.myhuaweicloud.com",
			Username:  "cn-north-4@EXAMPLEAK",
			Password:  "example-token-not-real",
			ExpiresAt: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	st, err := store.Get(ctx, "build-host")
	if err != nil {
		fmt.Println(err)
		return
	}
	fi, _ := os.Stat(store.Path())
	fmt.Println(filepath.Base(store.Path()), fi.Mode().Perm(), filepath.Base(store.MetadataPath()))
	fmt.Println(st.Registry, st.Username, st.ExpiresAt.Format(time.RFC3339))
	// Output:
	// config.json -rw------- config.json.regmint.json
	// swr.cn-north-4.myhuaweicloud.com cn-north-4@EXAMPLEAK 2030-01-02T03:04:05Z
}
