// The items table: writing, reading and listing one owner's items, and the stored shape.

package items

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Table attributes.
const (
	attrOwner     = "owner"
	attrID        = "id"
	attrName      = "name"
	attrBody      = "body"
	attrCreatedAt = "createdAt"
)

func (h *Handler) put(ctx context.Context, cmd command) (Response, error) {
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	item := Item{ID: cmd.id, Name: cmd.name, Body: cmd.body, CreatedAt: now().UTC().Format(time.RFC3339)}
	_, err := h.Table.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: ptr(h.TableName),
		Item: map[string]types.AttributeValue{
			attrOwner:     &types.AttributeValueMemberS{Value: cmd.owner},
			attrID:        &types.AttributeValueMemberS{Value: item.ID},
			attrName:      &types.AttributeValueMemberS{Value: item.Name},
			attrBody:      &types.AttributeValueMemberS{Value: item.Body},
			attrCreatedAt: &types.AttributeValueMemberS{Value: item.CreatedAt},
		},
		// Never overwrite: a put under an id the owner already uses is a conflict.
		ConditionExpression: ptr("attribute_not_exists(id)"),
	})
	var exists *types.ConditionalCheckFailedException
	if errors.As(err, &exists) {
		return refuse(CodeConflict, "id", fmt.Sprintf("id %s already exists: an item is never overwritten, so put it under a new id.", quote(cmd.id))), nil
	}
	if err != nil {
		return Response{}, fmt.Errorf("put: DynamoDB PutItem: %w", err)
	}
	return Response{Item: &item}, nil
}

func (h *Handler) get(ctx context.Context, cmd command) (Response, error) {
	out, err := h.Table.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      ptr(h.TableName),
		Key:            key(cmd.owner, cmd.id),
		ConsistentRead: ptr(true),
	})
	if err != nil {
		return Response{}, fmt.Errorf("get: DynamoDB GetItem: %w", err)
	}
	if len(out.Item) == 0 {
		return refuse(CodeNotFound, "id", fmt.Sprintf("id %s was not found: there is no item with this id for this owner.", quote(cmd.id))), nil
	}
	item, err := itemFrom(out.Item)
	if err != nil {
		return Response{}, fmt.Errorf("get: DynamoDB GetItem: %w", err)
	}
	return Response{Item: &item}, nil
}

func (h *Handler) list(ctx context.Context, cmd command) (Response, error) {
	in := &dynamodb.QueryInput{
		TableName: ptr(h.TableName),
		// owner is a DynamoDB reserved word, so the expression names it through #owner.
		KeyConditionExpression:    ptr("#owner = :owner"),
		ExpressionAttributeNames:  map[string]string{"#owner": attrOwner},
		ExpressionAttributeValues: map[string]types.AttributeValue{":owner": &types.AttributeValueMemberS{Value: cmd.owner}},
		Limit:                     ptr(cmd.limit),
	}
	if cmd.startID != "" {
		// The start key's owner is always the caller's: a token only carries an id.
		in.ExclusiveStartKey = key(cmd.owner, cmd.startID)
	}
	out, err := h.Table.Query(ctx, in)
	if err != nil {
		return Response{}, fmt.Errorf("list: DynamoDB Query: %w", err)
	}
	resp := Response{Items: make([]Item, 0, len(out.Items))}
	for _, av := range out.Items {
		item, err := itemFrom(av)
		if err != nil {
			return Response{}, fmt.Errorf("list: DynamoDB Query: %w", err)
		}
		resp.Items = append(resp.Items, item)
	}
	if len(out.LastEvaluatedKey) > 0 {
		id, ok := stringAttr(out.LastEvaluatedKey, attrID)
		if !ok {
			return Response{}, errors.New("list: DynamoDB Query: LastEvaluatedKey has no string attribute id")
		}
		resp.Next = encodeToken(id)
	}
	return resp, nil
}

func key(owner, id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrOwner: &types.AttributeValueMemberS{Value: owner},
		attrID:    &types.AttributeValueMemberS{Value: id},
	}
}

// itemFrom reads a stored item; body may be absent (it reads as empty), the others may not.
func itemFrom(av map[string]types.AttributeValue) (Item, error) {
	var item Item
	for _, f := range []struct {
		attr     string
		dst      *string
		optional bool
	}{
		{attrID, &item.ID, false},
		{attrName, &item.Name, false},
		{attrBody, &item.Body, true},
		{attrCreatedAt, &item.CreatedAt, false},
	} {
		v, ok := stringAttr(av, f.attr)
		if !ok && (!f.optional || av[f.attr] != nil) {
			return Item{}, fmt.Errorf("stored item has no string attribute %s", f.attr)
		}
		*f.dst = v
	}
	return item, nil
}

func stringAttr(av map[string]types.AttributeValue, name string) (string, bool) {
	s, ok := av[name].(*types.AttributeValueMemberS)
	if !ok {
		return "", false
	}
	return s.Value, true
}
