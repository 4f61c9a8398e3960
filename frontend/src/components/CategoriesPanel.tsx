import type { Category } from '../api'
import { useCategories } from '../hooks/useCategories'
import { CategoryDetail } from './CategoryDetail'
import { NewCategoryForm } from './NewCategoryForm'
import { Panel } from './Panel'

interface CategoriesPanelProps {
  selectedId: number | null
  onSelect: (id: number | null) => void
}

function CategoryRow({ category, selected, onSelect }: { category: Category; selected: boolean; onSelect: () => void }) {
  return (
    <tr
      data-testid="category-row"
      data-category-id={category.id}
      className={selected ? 'is-selected' : undefined}
      aria-selected={selected}
    >
      <td>
        <button type="button" className="link" onClick={onSelect}>
          {category.name}
        </button>
        {category.description && <div className="muted small truncate">{category.description}</div>}
      </td>
      <td className="num">
        <span data-testid="category-count">{category.contact_count}</span>
      </td>
    </tr>
  )
}

/** The categories with their contact counts; a click opens one for editing. */
export function CategoriesPanel({ selectedId, onSelect }: CategoriesPanelProps) {
  return (
    <Panel title="Categories" query={useCategories()} className="panel-categories">
      {({ items }) => (
        <>
          <NewCategoryForm />
          {items.length === 0 ? (
            <p className="empty">No categories yet.</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th className="num">Contacts</th>
                </tr>
              </thead>
              <tbody>
                {items.map((category) => (
                  <CategoryRow
                    key={category.id}
                    category={category}
                    selected={category.id === selectedId}
                    onSelect={() => onSelect(category.id === selectedId ? null : category.id)}
                  />
                ))}
              </tbody>
            </table>
          )}
          {selectedId !== null && <CategoryDetail id={selectedId} onClose={() => onSelect(null)} />}
        </>
      )}
    </Panel>
  )
}
