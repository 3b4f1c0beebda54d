/* The [vdso] page; see vdso.h. */
#include "arch/riscv/vdso.h"
#include "vm/pmm.h"
#include "vm/vmspace.h"
#include "vm/vobject.h"

extern const char vdso_code_start[], vdso_code_end[];

static struct vobject *vdso_obj;	/* one shared page, never freed */

static const char *vdso_path(struct vobject *obj)
{
	return "[vdso]";
}

/* The ops of the shared-memory object, with the name /proc/<pid>/maps shows. */
static struct vobject_ops vdso_ops;

void vdso_init(void)
{
	struct page *pg;

	vdso_obj = shmem_create(PAGE_SIZE);
	if (!vdso_obj || vdso_obj->ops->get_page(vdso_obj, 0, &pg) < 0)
		panic("vdso_init: out of memory");
	memcpy(page_to_virt(pg), vdso_code_start, vdso_code_end - vdso_code_start);
	page_put(pg);
	vdso_ops = *vdso_obj->ops;
	vdso_ops.path = vdso_path;
	vdso_obj->ops = &vdso_ops;
}

uint64_t vdso_address(const struct vmspace *vm)
{
	return vm->mmap_base;
}

int vdso_map(struct vmspace *vm)
{
	return vmspace_map(vm, vdso_address(vm), PAGE_SIZE, VM_PROT_READ | VM_PROT_EXEC,
			   VM_PROT_ALL, 0, vdso_obj, 0, PAGE_SIZE);
}
