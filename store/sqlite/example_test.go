package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/store/sqlite"
)

// Open a store in a file, install a portal, take a callback request in
// (twice: the second is folded into the first) and read it back.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "callbackline-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, "sqlite:"+filepath.Join(dir, "callbackline.db"), sqlite.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()

	if err := st.SavePortal(ctx, &callbackline.Portal{MemberID: "a1b2c3", Domain: "example.bitrix24.de"}); err != nil {
		log.Fatal(err)
	}
	req := callbackline.IntakeRequest{
		Callback:    &callbackline.Callback{MemberID: "a1b2c3", Phone: "+4930123456", Text: "Please call me back"},
		DedupWindow: 10 * time.Minute,
	}
	first, err := st.Intake(ctx, req)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("queued:", first.Queued)
	again, err := st.Intake(ctx, req)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("duplicate:", again.Duplicate, again.Callback.ID == first.Callback.ID)

	cb, err := st.Callback(ctx, first.Callback.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cb.MemberID, cb.Kind, cb.State, cb.Phone, cb.Duplicates)
	// Output:
	// queued: true
	// duplicate: true true
	// a1b2c3 callback received +4930123456 1
}
